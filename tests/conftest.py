import os
import shutil
import tempfile
from pathlib import Path

import pytest

from db_servers import postgres_server, redis_server, store_url  # noqa: F401 (fixtures)

FIXTURES = Path(__file__).parent / "fixtures" / "articles"
ROOT = Path(__file__).resolve().parent.parent
_MODEL_CACHE = None


def pytest_configure(config):
    """Exports of models (kb/encoders/onnx_runtime.py) go to a cache of this test run, not the user's;
    the processes the tests start inherit it."""
    global _MODEL_CACHE
    if "KB_MODEL_CACHE" not in os.environ:
        _MODEL_CACHE = tempfile.mkdtemp(prefix="kb-test-models-")
        os.environ["KB_MODEL_CACHE"] = _MODEL_CACHE


def pytest_unconfigure(config):
    if _MODEL_CACHE:
        shutil.rmtree(_MODEL_CACHE, ignore_errors=True)


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
