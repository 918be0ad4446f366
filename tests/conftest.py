import os
import shutil
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from db_servers import postgres_server, redis_server, store_url  # noqa: F401 (fixtures)

FIXTURES = Path(__file__).parent / "fixtures" / "articles"
ROOT = Path(__file__).resolve().parent.parent
_RUN_CACHES: list[str] = []
_EXPORTER: list[subprocess.Popen] = []
EXPORT_STOP_WAIT_S = 30  # an unfinished background export gets this long to clean up after SIGINT


def pytest_configure(config):
    """Exports of models (kb/encoders/onnx_runtime.py) and encoded passages
    (kb/index/vector_cache.py) go to caches of this test run, not the user's; the
    processes the tests start inherit them. The many indexes of the same articles
    then cost one encode of each passage per run."""
    for env, prefix in (("KB_MODEL_CACHE", "kb-test-models-"), ("KB_VECTOR_CACHE", "kb-test-vectors-")):
        if env not in os.environ:
            os.environ[env] = tempfile.mkdtemp(prefix=prefix)
            _RUN_CACHES.append(os.environ[env])
    own_cache = os.environ["KB_MODEL_CACHE"] in _RUN_CACHES  # a user's cache holds its exports already
    if own_cache and not hasattr(config, "workerinput") and not config.option.collectonly:
        _start_model_export()


def _start_model_export() -> None:
    """The test run's first process makes the default models' exports (about a minute
    with an empty model cache) in the background while the test files that need no
    model run; a worker that needs a model meanwhile waits for this export instead of
    making its own (kb/encoders: one process makes an export, others wait, and one
    whose export failed says why in its own error)."""
    code = "from kb.encoders import DEFAULT_MODELS, load_encoders; load_encoders(DEFAULT_MODELS)"
    _EXPORTER.append(subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.DEVNULL,
                                      stderr=subprocess.DEVNULL, cwd=ROOT))


def pytest_collection_modifyitems(session, config, items):
    """Test files that load no model first (stable, so every xdist worker collects the same
    order): they run while the models are exported, instead of a worker waiting for it."""
    uses_models = {item.path for item in items
                   if "encoders" in item.fixturenames or item.get_closest_marker("models")}
    items.sort(key=lambda item: item.path in uses_models)


def pytest_unconfigure(config):
    try:
        for proc in _EXPORTER:
            if proc.poll() is None:  # a short run: the export's own cleanup runs on SIGINT
                proc.send_signal(signal.SIGINT)
                try:
                    proc.wait(timeout=EXPORT_STOP_WAIT_S)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()
    finally:
        for folder in _RUN_CACHES:
            shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="session")
def encoders():
    from kb.encoders import DEFAULT_MODELS, load_encoders
    return load_encoders(DEFAULT_MODELS)


@pytest.fixture()
def articles_dir(tmp_path):
    target = tmp_path / "articles"
    shutil.copytree(FIXTURES, target)
    return target


@pytest.fixture(scope="session")
def built_index(tmp_path_factory, encoders):
    from kb.encoders import DEFAULT_MODELS
    from kb.index.build import build_index
    base = tmp_path_factory.mktemp("idx")
    articles = base / "articles"
    shutil.copytree(FIXTURES, articles)
    location = base / "index"
    build_index(articles, location, lambda: encoders, DEFAULT_MODELS)
    return location


@pytest.fixture(scope="session")
def engine(built_index, encoders):
    from kb.encoders import DEFAULT_MODELS
    from kb.index.loaded import LoadedIndex
    from kb.search.engine import SearchEngine
    return SearchEngine(LoadedIndex(built_index, DEFAULT_MODELS), encoders)


@pytest.fixture(scope="session")
def shop_index(tmp_path_factory, encoders):
    """The index of the sample help centre in articles/ (German and English, 68 articles)."""
    from kb.encoders import DEFAULT_MODELS
    from kb.index.build import build_index
    location = tmp_path_factory.mktemp("shop") / "index"
    build_index(ROOT / "articles", location, lambda: encoders, DEFAULT_MODELS)
    return location


@pytest.fixture(scope="session")
def shop_engine(shop_index, encoders):
    """A search engine over the sample help centre in articles/."""
    from kb.encoders import DEFAULT_MODELS
    from kb.index.loaded import LoadedIndex
    from kb.search.engine import SearchEngine
    return SearchEngine(LoadedIndex(shop_index, DEFAULT_MODELS), encoders)
