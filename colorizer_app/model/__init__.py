"""Torch modules and model files: encoders, backbones, the networks, presets, model files."""
