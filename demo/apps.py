from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo company of SPEC §8 and `manage.py seed_demo`: installed in development, and in production
    only when DEMO=true asks for it (docker-compose's demo path). Nothing at run time imports it."""

    name = "demo"
    verbose_name = "Demo data"
