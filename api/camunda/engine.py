"""GET /engine and GET /version: what Camunda's clients ask before anything else."""

from ninja import Router

router = Router(tags=["engine"])

CAMUNDA_VERSION = "7.22.0"  # the Camunda 7 REST API whose subset Flowdesk answers


@router.get("/engine")
def engines(request):
    """The process engines: Flowdesk is one, named as Camunda names its default."""
    return [{"name": "default"}]


@router.get("/version")
def version(request):
    return {"version": CAMUNDA_VERSION}
