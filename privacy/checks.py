"""``manage.py check`` names every model that looks personal but is missing from the registry."""

from django.core import checks

from . import registry


@checks.register()
def every_personal_model_is_declared(app_configs, **kwargs):
    return [
        checks.Warning(
            f"{label} looks like it holds personal data ({', '.join(fields)}) but is not in the privacy registry.",
            hint="Declare it in its app's personal_data.py with register(...) or holds_none(...); see docs/privacy.md.",
            id="privacy.W001",
        )
        for label, fields in registry.undeclared_models()
    ]
