"""Restoration before colour: damage found and repaired on L, fading and grain taken out.

Below engine (which runs it before colorizing) and above core; no Qt, no model files of the
colorizer. `synth` draws damage for training and for the held-out measurements, `detect` finds it,
`repair` fills and cleans, `pipeline` runs the chosen steps on a photo.
"""
