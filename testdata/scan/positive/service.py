import ctypes
import importlib
import os
import signal
import ssl

import requests

lib = ctypes.CDLL("libcrypto.so")
mod = importlib.import_module(plugin_name)
password = os.environ["DB_PASSWORD"]
token = os.getenv("API_TOKEN")
signal.signal(signal.SIGHUP, reload_config)
response = requests.get("https://payments.example.org", verify=False)
context = ssl.create_default_context()
context.verify_mode = ssl.CERT_NONE
with open("/dev/attestation/keys/_sgx_mrsigner", "rb") as f:
    seal_key = f.read()

spec = importlib.util.spec_from_file_location("plugin", "/opt/plugins/plugin.py")
module = importlib.util.module_from_spec(spec)
spec.loader.exec_module(module)
exec(open("/opt/hooks/hook.py").read())
