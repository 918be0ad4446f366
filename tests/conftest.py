import os
import shutil
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
# Fixtures that load the default models (directly or through an index or an app built
# with them). Test files without any of them run first (pytest_collection_modifyitems).
MODEL_FIXTURES = {"encoders", "built_index", "engine", "shop_engine", "editor_index", "editor_app",
                  "make_app", "app", "client"}


def pytest_configure(config):
    """Exports of models (kb/encoders/onnx_runtime.py) and encoded passages
    (kb/index/vector_cache.py) go to caches of this test run, not the user's; the
    processes the tests start inherit them. The many indexes of the same articles
    then cost one encode of each passage per run."""
    for env, prefix in (("KB_MODEL_CACHE", "kb-test-models-"), ("KB_VECTOR_CACHE", "kb-test-vectors-")):
        if env not in os.environ:
            os.environ[env] = tempfile.mkdtemp(prefix=prefix)
            _RUN_CACHES.append(os.environ[env])
    if not hasattr(config, "workerinput") and not config.option.collectonly:
        _start_model_export()


def _start_model_export() -> None:
    """The test run's first process makes the default models' exports (about a minute
    with an empty model cache) in the background while the test files that need no
    model run; a worker that needs a model meanwhile waits for this export instead of
    making its own (kb/encoders: one process makes an export, others wait)."""
    code = "from kb.encoders import DEFAULT_MODELS, load_encoders; load_encoders(DEFAULT_MODELS)"
    log = open(Path(os.environ["KB_MODEL_CACHE"]) / "export.log", "w")
    _EXPORTER.append(subprocess.Popen([sys.executable, "-c", code], stdout=log, stderr=subprocess.STDOUT,
                                      cwd=ROOT))
    log.close()


def pytest_collection_modifyitems(session, config, items):
    """Test files that load no model first (stable otherwise): they run while the models
    are exported, instead of a worker waiting for that export."""
    uses_models = {item.path for item in items if MODEL_FIXTURES & set(item.fixturenames)}
    items.sort(key=lambda item: item.path in uses_models)


def pytest_unconfigure(config):
    for proc in _EXPORTER:
        if proc.poll() is None:
            proc.terminate()
            proc.wait(timeout=30)
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
def shop_engine(tmp_path_factory, encoders):
    """The sample help centre in articles/ (German and English, 68 articles)."""
    from kb.encoders import DEFAULT_MODELS
    from kb.index.build import build_index
    from kb.index.loaded import LoadedIndex
    from kb.search.engine import SearchEngine
    location = tmp_path_factory.mktemp("shop") / "index"
    build_index(ROOT / "articles", location, lambda: encoders, DEFAULT_MODELS)
    return SearchEngine(LoadedIndex(location, DEFAULT_MODELS), encoders)
