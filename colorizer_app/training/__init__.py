"""Datasets, the one training loop, fine-tuning, metrics and evaluation. Never imports Qt."""
