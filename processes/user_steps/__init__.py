"""User steps: the steps of a process that a person does, on a page.

spec.py       what a step's element asks for (page kind, answers, results, buttons)
              and the one rule "this step opens as its activity"
owners.py     who a new step goes to (flowdesk:owner, ownerRole, lane, starter)
forms.py      the form of each page kind
pages.py      where a step's page opens, building it and what submitting it does
services.py   the writes: submit a page, postpone, reassign, release postponed steps
rendering.py  the step page's template and its fragment for the dialog and the socket
views.py      the step page and the ways to reach it from a connected record
"""
