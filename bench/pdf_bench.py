"""PDF rendering benchmark: the demo agreement (10+ pages) and a one-page letter, project vs bare WeasyPrint.

    .venv/bin/python bench/pdf_bench.py [--runs 7] [--workshops 6]

Builds its data in a throw-away SQLite database (SQLITE_PATH in a temp dir, migrated here) and a
throw-away MEDIA_ROOT, so the dev database is never touched. Prints: median and max seconds per
render, pages, bytes, peak memory (process max RSS, and Python heap peak via tracemalloc in a separate
pass so it does not slow the timed runs), the font subsetter WeasyPrint used, and the ratio
project/bare where bare = weasyprint.HTML(string=same_html).write_pdf() run in a fresh interpreter that
never imports Django, one render at a time, interleaved with the project's runs (after one
untimed cold render on each side).
Targets: agreement median <= 1.5 s, peak <= 300 MiB, ratio <= 1.2; one-page letter <= 0.3 s.

Then the unchanged document asked for again over the test client (issue 14): a logged-in user POSTs
"generate" for the agreement (the first request renders it, inline here: DOCUMENTS_RENDER="sync"), then
`--http-runs` times asks again and downloads it; prints the median ms of the request and of the
download, and how many WeasyPrint renders those requests performed (target: 0; <= 50 ms each).
Before issue 14 every request rendered the document again (one agreement render each, above).
"""
from __future__ import annotations

import argparse
import gc
import io
import os
import resource
import statistics
import sys
import time
import tracemalloc
from pathlib import Path

LOAD_BEFORE = ""
sys.path.insert(0, str(Path(__file__).resolve().parent))
from _throwaway import setup_django  # noqa: E402

TMP = setup_django("pdf-bench-")

from django.core.management import call_command  # noqa: E402


def pages_of(pdf: bytes) -> int:
    from pypdf import PdfReader

    return len(PdfReader(io.BytesIO(pdf)).pages)


def maxrss_mib() -> float:
    """Peak resident memory of this process (VmHWM; ru_maxrss would include a forking parent's peak)."""
    try:
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def setup_data(workshops: int):
    from accounts.models import Organisation, Region
    from negotiation.documents import build_sample_negotiation

    call_command("migrate", verbosity=0, interactive=False)
    region = Region.objects.get(code="150105")
    employer = Organisation.objects.create(
        kind="employer", name="呼和浩特草原乳业有限公司", region=region, credit_code=None,
        headcount=860, address="呼和浩特市赛罕区金桥开发区乳业大街8号", legal_representative="王建国",
    )
    union = Organisation.objects.create(kind="union", name="呼和浩特草原乳业有限公司工会委员会", region=region, employer=employer)
    return build_sample_negotiation(employer=employer, union=union, workshops=workshops)


BARE_SCRIPT = r"""
import gc, json, sys, time
import weasyprint
for line in sys.stdin:  # one HTML file path per line; answers with the timings of one bare render
    html = open(line.strip(), encoding="utf-8").read()
    t, c = time.perf_counter(), time.process_time()
    weasyprint.HTML(string=html).write_pdf()
    wall, cpu = time.perf_counter() - t, time.process_time() - c
    gc.collect()
    hwm = int([l for l in open("/proc/self/status") if l.startswith("VmHWM:")][0].split()[1]) / 1024
    print(json.dumps({"wall": wall, "cpu": cpu, "maxrss_mib": hwm}), flush=True)
"""


class Bare:
    """Bare WeasyPrint in a fresh interpreter that never imports Django, driven one render at a time
    so its runs interleave with the project's (both see the same machine load)."""

    def __init__(self):
        import subprocess

        self.proc = subprocess.Popen([sys.executable, "-c", BARE_SCRIPT], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)

    def render(self, path: Path) -> dict:
        import json

        self.proc.stdin.write(str(path) + "\n")
        self.proc.stdin.flush()
        return json.loads(self.proc.stdout.readline())

    def close(self):
        self.proc.stdin.close()
        self.proc.wait()


def bench(label: str, kind_key: str, obj, runs: int, bare: Bare) -> dict:
    from core.pdf import html_to_pdf
    from documents import registry, services

    kind = registry.get(kind_key)
    # cold render (font configuration, first Pango/HarfBuzz use): reported, not in the median
    t = time.perf_counter()
    _built, _code, html = services.build_html(kind=kind, obj=obj)
    pdf = html_to_pdf(html)
    cold = time.perf_counter() - t
    path = Path(TMP.name) / f"{kind_key}.html"
    path.write_text(html, encoding="utf-8")
    bare.render(path)  # the bare interpreter's cold render, likewise not counted

    project, cpu, bare_runs = [], [], []
    for _ in range(runs):
        t, c = time.perf_counter(), time.process_time()
        _built, _code, html = services.build_html(kind=kind, obj=obj)  # queries + template + code
        pdf = html_to_pdf(html)
        project.append(time.perf_counter() - t)
        cpu.append(time.process_time() - c)
        gc.collect()  # untimed, as documents.services.document_render does after each render
        bare_runs.append(bare.render(path))

    med = statistics.median(project)
    bmed = statistics.median(r["wall"] for r in bare_runs)
    return {
        "label": label, "pages": pages_of(pdf), "bytes": len(pdf), "cold": cold,
        "median": med, "max": max(project), "cpu": statistics.median(cpu),
        "bare_median": bmed, "bare_cpu": statistics.median(r["cpu"] for r in bare_runs),
        "bare_rss": max(r["maxrss_mib"] for r in bare_runs), "ratio": med / bmed if bmed else float("nan"),
        "kind": kind, "obj": obj,
    }


def heap_peak_mib(kind, obj) -> float:
    """Python heap peak of one render (tracemalloc slows Python down: run after the timed runs)."""
    from core.pdf import html_to_pdf
    from documents import services

    tracemalloc.start()
    _built, _code, html = services.build_html(kind=kind, obj=obj)
    html_to_pdf(html)
    _cur, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak / 2**20


def http_unchanged(neg, runs: int) -> dict:
    """The unchanged agreement asked for again and downloaded over the test client: median ms, renders."""
    from django.conf import settings
    from django.test import Client
    from django.test.utils import setup_test_environment
    from django.urls import reverse

    from accounts.models import Role, User
    from documents import services
    from documents.models import GeneratedDocument

    setup_test_environment()  # 'testserver' allowed, the test client's templates
    settings.DOCUMENTS_RENDER = "sync"
    renders = []
    real = services.html_to_pdf

    def counting(html, **kw):
        renders.append(1)
        return real(html, **kw)

    services.html_to_pdf = counting
    try:
        user = User.objects.create_user(username="bench_admin", password="x", role=Role.SYSADMIN, is_superuser=True, is_staff=True)
        client = Client()
        client.force_login(user)
        url = reverse("documents:generate", args=["agreement", neg.pk])
        t = time.perf_counter()
        assert client.post(url).status_code == 302
        first = (time.perf_counter() - t) * 1000
        first_renders = len(renders)
        doc = GeneratedDocument.objects.get(kind="agreement", object_id=str(neg.pk), status="done")
        download = reverse("documents:download", args=[doc.pk])
        asks, downloads, ask_cpu, download_cpu = [], [], [], []
        for _ in range(runs):
            t, c = time.perf_counter(), time.process_time()
            assert client.post(url).status_code == 302
            asks.append((time.perf_counter() - t) * 1000)
            ask_cpu.append((time.process_time() - c) * 1000)
            t, c = time.perf_counter(), time.process_time()
            resp = client.get(download)
            body = b"".join(resp.streaming_content)
            downloads.append((time.perf_counter() - t) * 1000)
            download_cpu.append((time.process_time() - c) * 1000)
            assert resp.status_code == 200 and len(body) == doc.size
        return {
            "first_ms": first, "first_renders": first_renders, "ask_ms": statistics.median(asks), "ask_max": max(asks),
            "ask_cpu": statistics.median(ask_cpu), "download_cpu": statistics.median(download_cpu),
            "download_ms": statistics.median(downloads), "renders": len(renders) - first_renders, "runs": runs,
            "rows": GeneratedDocument.objects.filter(kind="agreement").count(), "bytes": doc.size,
        }
    finally:
        services.html_to_pdf = real


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--workshops", type=int, default=10, help="pads the shift/pay tables (10 gives 12 pages)")
    parser.add_argument("--http-runs", type=int, default=20, help="requests for the unchanged document over the test client")
    args = parser.parse_args()

    import weasyprint

    from core.pdf import subsetter

    global LOAD_BEFORE
    LOAD_BEFORE = f"{os.getloadavg()[0]:.2f}"
    neg = setup_data(args.workshops)
    rss_before = maxrss_mib()
    bare = Bare()
    results = [
        bench("agreement (集体合同)", "agreement", neg, args.runs, bare),
        bench("one-page letter (纪要)", "minutes", neg.rounds.get(number=1), args.runs, bare),
    ]
    bare.close()
    peak = maxrss_mib()  # before tracemalloc, whose bookkeeping would inflate it
    for r in results:
        r["heap_peak_mib"] = heap_peak_mib(r["kind"], r["obj"])
    print(f"WeasyPrint {weasyprint.__version__}; font subsetter: {subsetter()}; runs per document: {args.runs}")
    print(f"load average before: {LOAD_BEFORE}, after: {os.getloadavg()[0]:.2f} ({os.cpu_count()} CPUs); "
          "wall seconds per render, and CPU seconds (less sensitive to other processes)")
    print(f"{'document':<22}{'pages':>6}{'bytes':>9}{'cold s':>8}{'median s':>10}{'max s':>7}{'cpu s':>7}"
          f"{'bare med':>9}{'bare cpu':>9}{'ratio':>7}{'cpu ratio':>10}{'heap MiB':>9}")
    for r in results:
        print(
            f"{r['label']:<22}{r['pages']:>6}{r['bytes']:>9}{r['cold']:>8.3f}{r['median']:>10.3f}{r['max']:>7.3f}{r['cpu']:>7.3f}"
            f"{r['bare_median']:>9.3f}{r['bare_cpu']:>9.3f}{r['ratio']:>7.2f}{r['cpu'] / r['bare_cpu']:>10.2f}{r['heap_peak_mib']:>9.1f}"
        )
    print(f"peak memory: project process max RSS {peak:.1f} MiB (after Django setup and migrate {rss_before:.1f} MiB); "
          f"bare process max RSS {max(r['bare_rss'] for r in results):.1f} MiB")
    agreement, letter = results
    h = http_unchanged(agreement["obj"], args.http_runs)
    print(f"unchanged agreement asked for again over the test client ({h['runs']} times, load {os.getloadavg()[0]:.2f}): "
          f"first request {h['first_ms']:.0f} ms with {h['first_renders']} render(s); again: request median "
          f"{h['ask_ms']:.1f} ms wall / {h['ask_cpu']:.1f} ms cpu (max {h['ask_max']:.1f} wall), download median "
          f"{h['download_ms']:.1f} ms wall / {h['download_cpu']:.1f} ms cpu ({h['bytes']} bytes), "
          f"renders performed {h['renders']}, rows {h['rows']}")
    checks = [
        ("agreement >= 10 pages", agreement["pages"] >= 10),
        ("agreement median <= 1.5 s (wall)", agreement["median"] <= 1.5),
        ("agreement median <= 1.5 s (cpu)", agreement["cpu"] <= 1.5),
        ("peak RSS <= 300 MiB", peak <= 300),
        ("ratio project/bare <= 1.2", agreement["ratio"] <= 1.2),
        ("one-page letter median <= 0.3 s (wall)", letter["pages"] == 1 and letter["median"] <= 0.3),
        ("one-page letter median <= 0.3 s (cpu)", letter["pages"] == 1 and letter["cpu"] <= 0.3),
        ("unchanged document again: no render", h["renders"] == 0 and h["rows"] == 1),
        ("unchanged document again: request and download median <= 50 ms each (wall)", h["ask_ms"] <= 50 and h["download_ms"] <= 50),
        ("unchanged document again: request and download median <= 50 ms each (cpu)", h["ask_cpu"] <= 50 and h["download_cpu"] <= 50),
    ]
    for name, ok in checks:
        print(f"  [{'ok' if ok else 'MISS'}] {name}")
    TMP.cleanup()


if __name__ == "__main__":
    main()
