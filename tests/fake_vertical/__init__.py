"""A fake industry module, installed only under the test settings: it proves every plug-in point of the module
contract is read by the core through the registry (tests/platform/test_module_contract.py)."""
