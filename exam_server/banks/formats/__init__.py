"""Bank formats: every module in this package registers itself with ``@register``.

Adding a format is adding a module here; nothing else changes.
"""
import importlib
import pkgutil

for _module in pkgutil.iter_modules(__path__):
    importlib.import_module(f"{__name__}.{_module.name}")
