# Deduplication: link the records of one study into one study (review.dedup). Reviewers'
# merge/split overrides in data/decisions/dedup_overrides.csv are read when the file exists.
DEDUP_OVERRIDES = "data/decisions/dedup_overrides.csv"


rule deduplicate_records:
    input:
        records=rules.normalise_records.output.records,
        overrides=[p for p in [DEDUP_OVERRIDES] if Path(p).is_file()],
    output:
        studies="data/interim/studies.csv",
        clusters="data/interim/clusters.csv",
        links="data/interim/dedup_links.csv",
        review="data/interim/dedup_review.csv",
        issues="data/interim/dedup_issues.csv",
    params:
        overrides=lambda wildcards, input: (
            f"--overrides {input.overrides}" if input.overrides else ""
        ),
        outdir=subpath(output.studies, parent=True),
    conda:
        "../envs/review.yaml"
    log:
        "logs/deduplicate_records/deduplicate_records.log",
    shell:
        "review dedup --records {input.records} {params.overrides} "
        "-o {params.outdir} > {log} 2>&1"
