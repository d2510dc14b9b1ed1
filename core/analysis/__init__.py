"""The analysis pipeline, one module per stage: audio in, frame and window features,
tempo, key, form structure, vocals, the majority rules (reduce), and the pipeline itself."""
