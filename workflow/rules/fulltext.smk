# Full text (review.fulltext): the reports of the studies included at title/abstract. Retrieval
# is opt-in like the searches (`--config live=true`, `review run --live`) and runs on the
# submitting machine; offline, the status rule reads what is already in data/raw/fulltext/
# (retrieved files, the manifest, the files reviewers added) and writes every study's retrieval
# status (fulltext.csv, which drives PRISMA's "reports not retrieved") and each file's text.
from review.workflow import decision_files, fulltext_files

FULLTEXT_ROOT = "data/raw/fulltext"


if LIVE:

    localrules:
        retrieve_fulltext,

    rule retrieve_fulltext:
        input:
            protocol=PROTOCOL_PATH,
            studies=rules.deduplicate_records.output.studies,
            clusters=rules.deduplicate_records.output.clusters,
            records=rules.normalise_records.output.records,
            ledgers=lambda wildcards: decision_files(SCREENING_DECISIONS, suffixes=(".csv",)),
        output:
            # temp(): consumed by build_fulltext_status, so the next live run retrieves again.
            status=temp("data/interim/fulltext_retrieval.json"),
        params:
            ledgers=SCREENING_DECISIONS,
            raw=RAW_ROOT,
            store=FULLTEXT_ROOT,
        threads: 1
        resources:
            api=1,
            mem_mb=1000,
            runtime=240,
        conda:
            "../envs/review.yaml"
        log:
            "logs/retrieve_fulltext/retrieve_fulltext.log",
        benchmark:
            "logs/retrieve_fulltext/retrieve_fulltext.benchmark.tsv"
        shell:
            "review fulltext --live --retrieve-only --protocol {input.protocol} "
            "--studies {input.studies} --clusters {input.clusters} --records {input.records} "
            "--decisions {params.ledgers} --raw-root {params.raw} --store {params.store} "
            "--retrieval-status {output.status} > {log} 2>&1"


RETRIEVED = ["data/interim/fulltext_retrieval.json"] if LIVE else []


rule build_fulltext_status:
    input:
        protocol=PROTOCOL_PATH,
        studies=rules.deduplicate_records.output.studies,
        clusters=rules.deduplicate_records.output.clusters,
        ledgers=lambda wildcards: decision_files(SCREENING_DECISIONS, suffixes=(".csv",)),
        store=lambda wildcards: fulltext_files(FULLTEXT_ROOT),
        retrieved=RETRIEVED,
    output:
        table="data/interim/fulltext.csv",
        pages=directory("data/interim/fulltext"),
    params:
        ledgers=SCREENING_DECISIONS,
        store=FULLTEXT_ROOT,
    threads: 1
    resources:
        mem_mb=2000,
        runtime=60,
    conda:
        "../envs/review.yaml"
    log:
        "logs/build_fulltext_status/build_fulltext_status.log",
    benchmark:
        "logs/build_fulltext_status/build_fulltext_status.benchmark.tsv"
    shell:
        "review fulltext --protocol {input.protocol} --studies {input.studies} "
        "--clusters {input.clusters} --decisions {params.ledgers} --store {params.store} "
        "--retrieved {input.retrieved} --table {output.table} --pages {output.pages} "
        "> {log} 2>&1"
