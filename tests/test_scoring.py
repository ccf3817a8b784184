"""The stream scorer: saved model with metadata, version checks, rules fallback."""

from __future__ import annotations

import json
import shutil

import numpy as np
import pytest
import sklearn

from detector.cadence import FEATURES
from detector.errors import ModelError
from detector.scoring import (
    META_FILE,
    MODEL_DIR,
    MODEL_FILE,
    PREDICT_BLOCK,
    ModelVersionWarning,
    RuleScorer,
    StreamScorer,
    load_metadata,
    load_scorer,
    save_scorer,
)


def test_shipped_model_has_metadata_and_loads():
    meta = load_metadata(MODEL_DIR)
    for key in ("trained_at", "params", "features", "sklearn_version", "metrics", "training_data"):
        assert key in meta
    assert meta["features"] == list(FEATURES)
    model = load_scorer(MODEL_DIR, strict=meta["sklearn_version"] == sklearn.__version__)
    p = model.predict_proba(np.zeros((2, len(FEATURES))))
    assert p.shape == (2, 2)


def test_the_training_fingerprint_is_what_the_training_code_makes_of_a_small_set():
    # `make train` saves it with the model (training_data.fingerprint) so a test can tell a
    # model trained on other training rows than the code builds now (docs/detection.md): it must
    # be the same on every build and tell two sets apart
    from pipelines.train import candidate_set, fingerprint

    a, again, other = fingerprint(5, 7), fingerprint(5, 7), fingerprint(5, 8)
    assert a == again and a["sha256"] != other["sha256"]
    _, y = candidate_set(5, 7)
    assert (a["n_accounts"], a["seed"], a["candidates"], a["positives"]) == (5, 7, len(y), int(y.sum()))


def _copy_model(tmp_path):
    for f in (MODEL_FILE, META_FILE):
        shutil.copy(MODEL_DIR / f, tmp_path / f)
    return tmp_path


def test_version_mismatch_warns_or_raises(tmp_path):
    folder = _copy_model(tmp_path)
    meta = json.loads((folder / META_FILE).read_text())
    meta["sklearn_version"] = "0.0.1"
    (folder / META_FILE).write_text(json.dumps(meta))
    with pytest.warns(ModelVersionWarning, match="0.0.1"):
        load_scorer(folder)
    with pytest.raises(ModelError, match="retrain"):
        load_scorer(folder, strict=True)


def test_feature_mismatch_raises(tmp_path):
    folder = _copy_model(tmp_path)
    meta = json.loads((folder / META_FILE).read_text())
    meta["features"] = meta["features"][:-1]
    (folder / META_FILE).write_text(json.dumps(meta))
    with pytest.raises(ModelError, match="features"):
        load_scorer(folder)


def test_missing_model_falls_back_to_rules(tmp_path):
    with pytest.warns(UserWarning, match="rules"):
        scorer = load_scorer(tmp_path)
    assert isinstance(scorer, RuleScorer)
    with pytest.raises(ModelError):
        load_scorer(tmp_path, strict=True)


def test_save_and_load_roundtrip(tmp_path):
    rng = np.random.default_rng(0)
    X = rng.random((200, len(FEATURES)))
    y = (X[:, 4] > 0.5).astype(int)
    model = StreamScorer(max_iter=20).fit(X, y)
    save_scorer(model, {"trained_at": "now", "metrics": {}}, tmp_path)
    meta = load_metadata(tmp_path)
    assert meta["sklearn_version"] == sklearn.__version__ and meta["params"]["max_iter"] == 20
    again = load_scorer(tmp_path, strict=True)
    np.testing.assert_allclose(again.predict_proba(X), model.predict_proba(X))


def test_estimators_follow_sklearn_conventions():
    s = StreamScorer(max_iter=5)
    assert s.get_params()["max_iter"] == 5 and not hasattr(s, "model_")
    r = RuleScorer()
    assert r.fit() is r


def test_predicting_in_blocks_gives_each_row_its_own_probability():
    """Blocks only keep rows in the cache: a row's probability is the one it gets alone."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(2 * PREDICT_BLOCK + 37, len(FEATURES)))
    s = StreamScorer(max_iter=20, n_models=2).fit(X[:500], (X[:500, 0] + X[:500, 4] > 0).astype(int))
    whole = s.predict_proba(X)
    assert whole.shape == (len(X), 2)
    for i in (0, PREDICT_BLOCK - 1, PREDICT_BLOCK, len(X) - 1):
        np.testing.assert_array_equal(whole[i], s.predict_proba(X[i:i + 1])[0])
    np.testing.assert_array_equal(whole, np.mean([m.predict_proba(X) for m in s.models_], axis=0))


def test_the_package_carries_the_model_even_from_a_zip(tmp_path):
    # `spark-submit --py-files subscription_detector.whl` imports the package from a zip with
    # no models/ folder beside it: the scorer must be the trained model, not the rules.
    import os
    import subprocess
    import sys
    import zipfile
    from pathlib import Path

    import detector

    pkg = Path(detector.__file__).parent
    archive = tmp_path / "subscription_detector.zip"
    with zipfile.ZipFile(archive, "w") as z:
        # as a wheel build does, following the detector/models link into the checkout's models/
        for root, _, files in os.walk(pkg, followlinks=True):
            for name in files:
                f = Path(root) / name
                if "__pycache__" not in f.parts:
                    z.write(f, Path("detector") / f.relative_to(pkg))
    assert f"detector/models/{MODEL_FILE}" in zipfile.ZipFile(archive).namelist()
    code = ("import sys, warnings; sys.path.insert(0, sys.argv[1]); warnings.simplefilter('error');"
            "import detector.scoring as s; m = s.load_scorer();"
            "print(s.__file__, type(m).__name__, s.load_metadata()['features'] == list(s.FEATURES))")
    out = subprocess.run([sys.executable, "-c", code, str(archive)], cwd=tmp_path, capture_output=True,
                         text=True, check=True).stdout.split()
    assert out[0].startswith(str(archive)) and out[1:] == ["StreamScorer", "True"]
