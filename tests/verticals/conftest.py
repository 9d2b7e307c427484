from tests.verticals.support import module_status  # noqa: F401  (a fixture shared by this folder)
