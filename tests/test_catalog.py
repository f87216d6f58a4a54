"""Incremental, parallel builds: render what changed, and only that."""

from __future__ import annotations

import hashlib
import json
import os
import re

import pytest

from monthkit import DAYS, copy_month, month_generator, run_cli
from printpost import catalog, pipeline, publish
from printpost.formats import get_format
from printpost.resources import PROJECT_DIR

from conftest import SAMPLES

N = len(DAYS)


def _refuse_to_render(*args, **kwargs):
    raise AssertionError("rendered although nothing changed")


def test_from_scratch_every_edition_is_built_with_a_truthful_sidecar(built_month):
    result = built_month.result
    assert [o.status for o in result.outcomes] == ["built"] * len(DAYS)
    assert result.rendered == len(DAYS) and result.exit_code == 0
    for record in result.records:
        data = record.path.read_bytes()
        sidecar = json.loads(publish.sidecar_path(record.path).read_text())
        assert record.path.name.endswith("-a4.pdf")
        assert sidecar["sha256"] == hashlib.sha256(data).hexdigest()
        assert sidecar["bytes"] == len(data) and sidecar["pages"] >= 2
        assert sidecar["source"] == f"{record.date}.yaml"
        expected = catalog.content_hash((built_month.issues / sidecar["source"]).read_bytes(),
                                        sidecar["source"], catalog.toolchain_digest(), "a4", False)
        assert sidecar["hash"] == expected
    assert re.fullmatch(rf"{N} editions: {N} built, 0 up to date \(no rendering\), 0 failed in \d+\.\d s",
                        result.summary())


def test_second_run_renders_nothing(built_month, monkeypatch):
    for name in ("typeset", "render", "render_archival"):
        monkeypatch.setattr(pipeline.Typesetter, name, _refuse_to_render)
    again = catalog.build_catalog(catalog.issue_files(built_month.issues), ["a4"],
                                  built_month.out, jobs=1)
    assert again.rendered == 0 and not again.failed
    assert len(again.up_to_date) == len(DAYS)
    assert again.summary().startswith(f"{N} editions: 0 built, {N} up to date (no rendering), 0 failed")
    assert [r.sha256 for r in again.records] == [r.sha256 for r in built_month.result.records]


def test_cli_build_all_reports_a_no_op_in_its_summary(built_month):
    done = run_cli("build", "--all", built_month.issues, "--out", built_month.out)
    assert done.returncode == 0, done.stderr
    assert re.search(rf"^{N} editions: 0 built, {N} up to date \(no rendering\), 0 failed in \d+\.\d s$",
                     done.stdout, re.MULTILINE), done.stdout


def test_only_the_edited_and_the_corrupted_editions_are_rebuilt(built_month, tmp_path):
    month = copy_month(built_month, tmp_path)
    files = catalog.issue_files(month.issues)
    os.utime(files[0], (1, 1))  # a touch alone changes nothing: the key is the content
    edited = files[1]
    text = edited.read_text(encoding="utf-8")
    edited.write_text(text.replace("  location: ", "  location: Salford, ", 1), encoding="utf-8")
    originals = {r.path.name: r.path.read_bytes() for r in built_month.result.records}
    corrupted = month.out / "2026-04" / built_month.result.records[3].path.name
    data = bytearray(corrupted.read_bytes())
    data[len(data) // 2] ^= 0xFF  # one flipped byte: same size, different file
    corrupted.write_bytes(bytes(data))

    result = catalog.build_catalog(files, ["a4"], month.out, jobs=2)
    assert sorted(o.source.name for o in result.built) == sorted([edited.name, files[3].name])
    assert result.rendered == 2 and len(result.up_to_date) == N - 2
    for outcome in result.built:
        [record] = outcome.records
        assert catalog.current_record(record.path, record.hash) is not None
    # Same input, same bytes: the corrupted file is the original again.
    assert corrupted.read_bytes() == originals[corrupted.name]


def test_build_all_writes_what_a_one_file_build_writes(tmp_path, monkeypatch):
    # Both go through Typesetter.typeset (render, preflight, copyfit); a stand-in for it shows
    # that they do without rendering twice: the PDF bytes and the preflight line carry over.
    from printpost import render

    class Report:
        def summary(self):
            return "preflight: stand-in"

    def typeset(typesetter, loaded, fmt, **options):
        pdf = f"%PDF-1.7 stand-in for {loaded.path.name} in {fmt.name}".encode()
        return render.Rendered(pdf_bytes=pdf, pages=3, fetches=render.FetchLog()), Report()

    monkeypatch.setattr(pipeline.Typesetter, "typeset", typeset)
    monkeypatch.setattr(catalog, "pdf_intact", lambda record: True)  # the stand-in is no PDF
    sample = SAMPLES[-1]
    one = pipeline.Typesetter().build(sample, [get_format("a4")], tmp_path / "one")
    result = catalog.build_catalog([sample], ["a4"], tmp_path / "all", jobs=1)
    [record] = result.records
    assert record.path.read_bytes() == one.outputs[0].path.read_bytes()
    assert result.outcomes[0].preflight == {record.path.name: "preflight: stand-in"}


def test_a_crash_fails_its_edition_only(tmp_path, monkeypatch):
    from printpost import render

    class Report:
        def summary(self):
            return "preflight: stand-in"

    def typeset(typesetter, loaded, fmt, **options):
        if loaded.path.name == SAMPLES[0].name:
            raise RuntimeError("a bug in the layout code")
        return render.Rendered(pdf_bytes=b"%PDF-1.7 stand-in", pages=1, fetches=render.FetchLog()), Report()

    monkeypatch.setattr(pipeline.Typesetter, "typeset", typeset)
    monkeypatch.setattr(catalog, "pdf_intact", lambda record: True)  # the stand-in is no PDF
    result = catalog.build_catalog(SAMPLES[:2], ["a4"], tmp_path, jobs=1)
    [crashed, built] = result.outcomes
    assert crashed.status == "failed" and built.status == "built"
    assert crashed.problems == [f"{SAMPLES[0]}: build crashed: RuntimeError: a bug in the layout code"]
    assert result.exit_code == 1


def test_a_pdf_that_does_not_open_is_not_up_to_date(built_month, tmp_path):
    month = copy_month(built_month, tmp_path)
    record = built_month.result.records[0]
    pdf = month.out / "2026-04" / record.path.name
    junk = b"not a PDF at all"
    pdf.write_bytes(junk)
    # Even a sidecar that vouches for these bytes does not make them a PDF.
    sidecar = json.loads(publish.sidecar_path(pdf).read_text())
    sidecar.update(sha256=hashlib.sha256(junk).hexdigest(), bytes=len(junk))
    publish.sidecar_path(pdf).write_text(json.dumps(sidecar))
    assert catalog.current_record(pdf, record.hash) is None
    assert catalog.current_record(month.out / "2026-04" / built_month.result.records[1].path.name,
                                  built_month.result.records[1].hash) is not None


def test_the_key_covers_layouts_fonts_format_and_variant(tmp_path, monkeypatch):
    base = catalog.toolchain_digest()
    key = catalog.content_hash(b"x", "a.yaml", base, "a4", False)
    assert key == catalog.content_hash(b"x", "a.yaml", base, "a4", False)
    assert key != catalog.content_hash(b"y", "a.yaml", base, "a4", False)
    assert key != catalog.content_hash(b"x", "b.yaml", base, "a4", False)
    assert key != catalog.content_hash(b"x", "a.yaml", base, "letter", False)
    assert key != catalog.content_hash(b"x", "a.yaml", base, "a4", True)
    layouts, fonts = tmp_path / "layouts", tmp_path / "fonts"
    for name, target in (("layouts", layouts), ("fonts", fonts)):
        (target / "archive").mkdir(parents=True)
        (target / "a.css").write_text("a { }")
    monkeypatch.setattr(catalog, "LAYOUTS_DIR", layouts)
    monkeypatch.setattr(catalog, "FONTS_DIR", fonts)
    before = catalog.toolchain_digest()
    (layouts / "a.css").write_text("a { color: red }")
    after_layout = catalog.toolchain_digest()
    (fonts / "a.css").write_text("b { }")
    after_font = catalog.toolchain_digest()
    assert len({before, after_layout, after_font}) == 3
    # The archive's own layouts are not the editions' input (but are the archive's).
    (layouts / "archive" / "cover.css").write_text("c { }")
    assert catalog.toolchain_digest() == after_font
    assert catalog.toolchain_digest(editions=False) != catalog.toolchain_digest()


def test_a_bad_file_fails_alone_and_names_its_field(built_month, tmp_path):
    month = copy_month(built_month, tmp_path)
    bad = month.issues / "2026-04-09.yaml"
    text = (month.issues / "2026-04-05.yaml").read_text(encoding="utf-8")
    bad.write_text(text.replace("2026-04-05", "2026-04-09").replace("issue: 67", "issue: 71")
                   .replace("score: ", "score: 1", 1), encoding="utf-8")
    done = run_cli("build", "--all", month.issues, "--out", month.out)
    assert done.returncode == 2
    assert re.search(r"^error: .*2026-04-09\.yaml:\d+: lead\.score: ", done.stderr, re.MULTILINE), done.stderr
    assert f"{N + 1} editions: 0 built, {N} up to date (no rendering), 1 failed" in done.stdout
    assert not list((month.out / "2026-04").glob("2026-04-09*"))


def test_two_files_of_one_date_are_refused_and_what_is_on_disk_stays(built_month, tmp_path,
                                                                   monkeypatch):
    # Their PDFs would be the same files: one would overwrite the other (which one, with
    # workers in parallel, by chance). Neither is built; the PDF already there is kept.
    month = copy_month(built_month, tmp_path)
    files = catalog.issue_files(month.issues)
    twin = month.issues / f"{files[2].stem}-second-thoughts.yaml"
    twin.write_text(files[2].read_text(encoding="utf-8").replace("headline: '", "headline: 'New: ",
                                                                  1), encoding="utf-8")
    on_disk = {pdf: pdf.read_bytes() for pdf in (month.out / "2026-04").glob("*.pdf")}
    for name in ("typeset", "render", "render_archival"):
        monkeypatch.setattr(pipeline.Typesetter, name, _refuse_to_render)
    result = catalog.build_catalog(catalog.issue_files(month.issues), ["a4"], month.out, jobs=1)
    assert sorted(o.source.name for o in result.failed) == sorted([files[2].name, twin.name])
    assert len(result.up_to_date) == N - 1 and result.exit_code == 2
    # Told once, on the first file, naming both.
    [problem] = [problem for outcome in result.failed for problem in outcome.problems]
    first, second = sorted((files[2], twin), key=str)
    assert problem.startswith(f"{first}: edition.date: ") and f"issue files ({first} and {second})" in problem
    assert {pdf: pdf.read_bytes() for pdf in (month.out / "2026-04").glob("*.pdf")} == on_disk

    # Named one by one (not incremental): the same refusal, and nothing written.
    done = run_cli("build", files[2], twin, "--out", tmp_path / "named")
    assert done.returncode == 2
    assert done.stderr.count("one issue file per date") == 1, done.stderr
    assert not (tmp_path / "named").exists()


def test_empty_directory_is_bad_input(tmp_path):
    done = run_cli("build", "--all", tmp_path, "--out", tmp_path / "out")
    assert done.returncode == 2
    assert done.stderr.strip() == f"error: no issue files (.yaml, .yml, .json) in {tmp_path}; nothing built"
    assert not (tmp_path / "out").exists()


@pytest.mark.slow
def test_same_build_on_a_dask_cluster(built_month, tmp_path):
    distributed = pytest.importorskip("distributed")
    month = copy_month(built_month, tmp_path)
    originals = {r.path.name: r.path.read_bytes() for r in built_month.result.records}
    removed = sorted(originals)[1:2]
    for name in removed:
        (month.out / "2026-04" / name).unlink()
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster:
        result = catalog.build_catalog(catalog.issue_files(month.issues), ["a4"], month.out,
                                       scheduler=cluster.scheduler_address)
    assert result.exit_code == 0, [o.problems for o in result.outcomes]
    assert sorted(r.path.name for o in result.built for r in o.records) == removed
    assert len(result.up_to_date) == len(DAYS) - 1
    for name in removed:
        assert (month.out / "2026-04" / name).read_bytes() == originals[name]


def test_unreachable_scheduler_is_a_clear_error(built_month, tmp_path):
    pytest.importorskip("distributed")
    month = copy_month(built_month, tmp_path, days=DAYS[:1])
    (month.out / "2026-04" / built_month.result.records[0].path.name).unlink()
    environment = {**os.environ, "DASK_DISTRIBUTED__COMM__TIMEOUTS__CONNECT": "2s"}
    done = run_cli("build", "--all", month.issues, "--out", month.out,
                   "--scheduler", "tcp://127.0.0.1:9", env=environment)
    assert done.returncode == 1
    assert "cannot reach the Dask scheduler at tcp://127.0.0.1:9" in done.stderr
    assert "Traceback" not in done.stderr


def test_synthetic_editions_stay_out_of_the_project_issues_dir(tmp_path):
    [written] = month_generator.write_month("2026-04", tmp_path, [19])
    assert "SYNTHETIC" in written.read_text(encoding="utf-8").split("\n\n")[0]  # the header says so
    for path in (PROJECT_DIR / "issues").iterdir():
        assert "SYNTHETIC" not in path.read_text(encoding="utf-8")
