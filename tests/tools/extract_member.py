"""Write one member of an ensemble model file as the model file it was trained as.

    python -m tests.tools.extract_member ENSEMBLE OUT.pt [INDEX]

Used to start a training run from a member (`colorizer train --init OUT.pt`): the ensemble that
was the default until 2026-12-01 held its member 1 (index 0) this way.
"""

from __future__ import annotations

import sys
from dataclasses import replace

from colorizer_app.engine.catalog import open_model
from colorizer_app.model.ensemble import member_configs
from colorizer_app.model.model_file import save_model
from colorizer_app.model.semantic import SemanticColorizer


def main() -> None:
    source, out = sys.argv[1], sys.argv[2]
    index = int(sys.argv[3]) if len(sys.argv) > 3 else 0
    ensemble = open_model(source)
    config = member_configs(ensemble.config)[index]
    prefix = f"members.{index}."
    state = {
        k[len(prefix) :]: v.float() if v.is_floating_point() else v
        for k, v in ensemble.state_dict.items()
        if k.startswith(prefix)
    }
    net = SemanticColorizer(replace(config, members=[]), pretrained_backbones=False)
    net.load_state_dict(state, strict=True)
    note = f"member {index + 1} of {source}"
    save_model(net, out, "scenes", {"trained": True, "note": note}, half=True)
    print(f"Wrote {out}: {note} ({config.encoder})")


if __name__ == "__main__":
    main()
