"""The `colorizer` command's commands, one module per family by job: colorize.py (colorize,
restore), train.py (train, finetune), hints.py (train-hints), evaluate.py, models.py, gui.py
(the desktop app); what they share on the terminal is console.py. Each adds its parser to the
one cli.py builds and calls the layer below (training, engine, the app). Every module here is
light to import: the heavy libraries load only when a command runs.
"""
