"""all-mpnet-base-v2 assembled from its PyPI parts (with small fake parts: fast), and the
graph variants' names."""
import io
import json
import multiprocessing
import sys
import zipfile

import pytest

from kb import encoders as enc
from kb.encoders import EncoderSpec, ModelLoadError
from kb.encoders import packaged
from kb.encoders.onnx_quantize import VARIANTS, split_variant


def _fake_parts(folder, n=3, inner="all-mpnet-base-v2"):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr(f"{inner}/modules.json", json.dumps([{"type": "sentence_transformers.models.Transformer"}]))
        z.writestr(f"{inner}/1_Pooling/config.json", "{}")
        z.writestr(f"{inner}/desktop.ini", "[.ShellClassInfo]")
        z.writestr(f"{inner}/model.safetensors", bytes(range(256)) * 400)
    data = buf.getvalue()
    size = -(-len(data) // n)
    parts = []
    for i in range(n):
        p = folder / f"part_{i + 1:03d}" / "input" / f"all-mpnet-base-v2.zip.{i + 1:03d}"
        p.parent.mkdir(parents=True)
        p.write_bytes(data[i * size:(i + 1) * size])
        parts.append(p)
    return parts


def test_parts_are_joined_and_unzipped_once(tmp_path):
    parts = _fake_parts(tmp_path / "site")
    target = tmp_path / "cache" / "all-mpnet-base-v2-x"
    assert packaged.assemble(parts, target) == target
    assert json.loads((target / "modules.json").read_text())[0]["type"].endswith("Transformer")
    assert (target / "model.safetensors").read_bytes() == bytes(range(256)) * 400
    assert not (target / "desktop.ini").exists() and (target / packaged.DONE).is_file()
    assert sorted(p.name for p in target.parent.iterdir()) == [".all-mpnet-base-v2-x.lock", target.name]
    stamp = (target / "modules.json").stat().st_mtime_ns
    for p in parts:  # a second call reads nothing: the parts may even be gone
        p.unlink()
    assert packaged.assemble(parts, target) == target
    assert (target / "modules.json").stat().st_mtime_ns == stamp


def test_an_interrupted_folder_is_made_again(tmp_path):
    parts = _fake_parts(tmp_path / "site")
    target = tmp_path / "cache" / "m"
    target.mkdir(parents=True)
    (target / "modules.json").write_text("half")  # no DONE marker: an older, broken attempt
    packaged.assemble(parts, target)
    assert (target / "modules.json").read_text().startswith("[")


def _assemble_in_process(args):
    parts, target = args
    return str(packaged.assemble(parts, target))


def test_concurrent_processes_assemble_one_folder(tmp_path):
    parts = _fake_parts(tmp_path / "site")
    target = tmp_path / "cache" / "m"
    with multiprocessing.get_context("fork").Pool(4) as pool:
        got = pool.map(_assemble_in_process, [(parts, target)] * 8)
    assert set(got) == {str(target)}
    assert sorted(p.name for p in target.parent.iterdir()) == [".m.lock", "m"]
    assert (target / "model.safetensors").read_bytes() == bytes(range(256)) * 400


def test_parts_that_are_no_zip_are_named(tmp_path):
    parts = _fake_parts(tmp_path / "site")
    parts[1].write_bytes(b"not a zip part")
    with pytest.raises(ModelLoadError, match="do not join into a zip"):
        packaged.assemble(parts, tmp_path / "cache" / "m")
    assert [p.name for p in (tmp_path / "cache").iterdir()] == [".m.lock"]  # no temp folder left


def test_a_missing_part_is_named(monkeypatch):
    monkeypatch.setattr(packaged, "MPNET_PACKAGE", "kb-test-no-such-package-{n:03d}")
    monkeypatch.setattr(packaged, "MPNET_FILE", "kb-test-no-such-folder_{n:03d}/x.zip.{n:03d}")
    with pytest.raises(ModelLoadError) as err:
        enc.model_path(EncoderSpec("all-mpnet-base-v2", frozenset({"en"})))
    assert "kb-test-no-such-package-001" in str(err.value) and "part 1 of 5" in str(err.value)
    assert "pip install kb-test-no-such-package-001" in str(err.value)


def test_parts_are_found_along_the_import_path(tmp_path, monkeypatch):
    """Parts installed without package metadata (pip --target, a copied folder)."""
    site = tmp_path / "site"
    parts = _fake_parts(site, n=packaged.MPNET_PARTS)
    monkeypatch.setattr(packaged, "MPNET_PACKAGE", "kb-test-no-such-package-{n:03d}")
    monkeypatch.setattr(packaged, "MPNET_FILE", "part_{n:03d}/input/all-mpnet-base-v2.zip.{n:03d}")
    monkeypatch.setattr(sys, "path", [str(site)] + sys.path)
    assert packaged.mpnet_parts() == parts


@pytest.mark.parametrize("name", ["all-mpnet-base-v2", "All-MPNet-Base-v2",
                                  "sentence-transformers/all-mpnet-base-v2"])
def test_model_path_resolves_the_names_to_the_assembled_folder(name, tmp_path, monkeypatch):
    monkeypatch.setenv("KB_MODEL_CACHE", str(tmp_path / "cache"))
    parts = _fake_parts(tmp_path / "site")
    monkeypatch.setattr(packaged, "mpnet_parts", lambda: parts)
    path = enc.model_path(EncoderSpec(name, None))
    assert path.startswith(str(tmp_path / "cache" / "source" / "all-mpnet-base-v2-"))
    assert (tmp_path / "cache" / "source").joinpath(path).joinpath("modules.json").is_file()
    assert enc.model_path(EncoderSpec("some/other-model", None)) == "some/other-model"


def test_variant_suffixes():
    assert split_variant("all-mpnet-base-v2:int8-block128") == ("all-mpnet-base-v2", "int8-block128")
    assert split_variant("all-mpnet-base-v2:OPT") == ("all-mpnet-base-v2", "opt")
    assert split_variant("all-mpnet-base-v2") == ("all-mpnet-base-v2", None)
    assert split_variant("/models/odd:name") == ("/models/odd:name", None)  # not a variant
    assert enc.parse_models("all-mpnet-base-v2:int8@en")[0] == \
        EncoderSpec("all-mpnet-base-v2:int8", frozenset({"en"}))
    assert "int8" in VARIANTS
