"""The base demand models' data and profiles come from the modules' MLSpec declarations, not from the library."""

import pytest

from ml_models.base_models import demand_modules, training_panel
from ml_models.specs import DemandBaseSpec, RealSource, VerticalProfile, demand_spec, spec_from_declaration
from ml_models.synthetic import synthetic_panel


def test_every_module_declares_its_demand_base_data_and_profile():
    assert set(demand_modules()) == {"core", "food", "restaurant", "retail", "discrete_mfg"}
    food = demand_spec("food")
    assert food.source.dataset == "aus_retail"
    assert "Supermarket and grocery stores" in (food.source.industries or ())
    assert demand_spec("discrete_mfg").source == RealSource("pbs", None, 1.5)
    assert demand_spec("restaurant").profile.weekend_lift == 1.5


def test_the_library_takes_a_spec_without_any_module_registry():
    spec = DemandBaseSpec("bakery", RealSource("aus_retail", ("Food retailing",), 5.0), VerticalProfile(2, 1, 1, 1, 1.5, 0, 0))
    data = training_panel(spec, n_series=3, days=120)
    assert [k for k in data.panel.keys if k.startswith("bakery-")] == ["bakery-00000", "bakery-00001", "bakery-00002"]
    assert synthetic_panel(spec.profile, 2, 30).keys == ["synthetic-00000", "synthetic-00001"]


def test_unknown_modules_and_incomplete_profiles_are_refused():
    with pytest.raises(ValueError, match="unknown module 'bakery'"):
        demand_spec("bakery")
    with pytest.raises(ValueError, match="missing"):
        spec_from_declaration("x", lambda: RealSource("pbs", None, 1.0), {"weekend_lift": 1.0})
    with pytest.raises(TypeError, match="RealSource"):
        spec_from_declaration("x", lambda: "pbs", VerticalProfile(1, 1, 1, 1, 1, 0, 0).__dict__)
