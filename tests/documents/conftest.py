import pytest

from negotiation.documents import build_sample_negotiation


@pytest.fixture
def negotiation(world):
    world.emp_a.address = "呼和浩特市赛罕区乳业大街8号"
    world.emp_a.legal_representative = "王建国"
    world.emp_a.save()
    return build_sample_negotiation(employer=world.emp_a, union=world.union_a, workshops=1)


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def pdf_text(data: bytes) -> str:
    import io

    import pdfplumber

    with pdfplumber.open(io.BytesIO(data)) as pdf:
        return "\n".join(page.extract_text() or "" for page in pdf.pages)


def squash(text: str) -> str:
    return "".join(text.split())


@pytest.fixture(autouse=True)
def _eager_celery():
    """Run render tasks in-process even when REDIS_URL points Celery at a real broker."""
    from config.celery import app

    keys = ("task_always_eager", "task_eager_propagates")
    old = {k: app.conf[k] for k in keys}
    app.conf.update({k: True for k in keys})
    yield
    app.conf.update(old)


@pytest.fixture(autouse=True)
def _renders_inline(settings):
    """Queued renders run inline on commit (documents.tasks.dispatch), so tests see the result at once."""
    settings.DOCUMENTS_RENDER = "sync"


@pytest.fixture
def renders(monkeypatch):
    """The WeasyPrint renders performed (documents.services.html_to_pdf calls), with the thread of each."""
    import threading

    from documents import services

    calls = []
    real = services.html_to_pdf

    def counting(html, **kw):
        calls.append(threading.get_ident())
        return real(html, **kw)

    monkeypatch.setattr(services, "html_to_pdf", counting)
    return calls
