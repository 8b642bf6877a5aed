"""The Colorizer and what runs it over photos: one photo, a batch, the desktop app's session.

Above `model` (it loads model files and runs networks), below `training` and `gui`.
"""
