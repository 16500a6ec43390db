"""Every system the sandbox plays; importing this package registers them all."""

import importlib
import pkgutil

for _info in pkgutil.iter_modules(__path__, prefix=f"{__name__}."):
    importlib.import_module(_info.name)
