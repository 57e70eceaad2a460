import importlib
import os
import signal

import requests

# ctypes.CDLL("x") and os.environ["DB_PASSWORD"] in a comment are not calls.
json = importlib.import_module("json")
home = os.environ["HOME"]
path = os.getenv("PATH")
signal.signal(signal.SIGTERM, lambda *a: None)
response = requests.get("https://payments.example.org", verify=True)
note = "verify=False is dangerous"

# A loop over a literal list imports a fixed set of modules.
for name in ("json", "csv"):
    globals()[name] = importlib.import_module(name)
exec("x = 1")
