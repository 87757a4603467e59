"""Camunda 7's REST API, the subset its common clients use, at /engine-rest/.

`main.py` is the NinjaAPI and its Camunda-style errors, `auth.py` who calls (HTTP basic
with a personal token as the password, or Bearer), `variables.py` Camunda's typed
variables. Every write goes through the same services and checks as Flowdesk's own API
and pages. docs/camunda-rest.md lists what is supported and what is not.
"""
