"""The housing approval application: Flask layer and engine host."""
