"""The API's schema as drf-spectacular generates it, once per test process (about a second each time, and a dozen
modules read it: the matrices, the list and parameter walks, the schema's own tests). Each caller gets its own copy
to read or change. The project's generator (the served schema's and the `spectacular` command's): in English."""

import copy
import functools


@functools.cache
def _generated() -> dict:
    from ka_portal.schema import SchemaGenerator

    return SchemaGenerator().get_schema(request=None, public=True)


def api_schema() -> dict:
    return copy.deepcopy(_generated())
