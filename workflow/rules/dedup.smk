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
    threads: 4
    resources:
        mem_mb=8000,
        runtime=120,
    conda:
        "../envs/review.yaml"
    log:
        "logs/deduplicate_records/deduplicate_records.log",
    benchmark:
        "logs/deduplicate_records/deduplicate_records.benchmark.tsv"
    shell:
        "review dedup --records {input.records} {params.overrides} --threads {threads} "
        "--studies {output.studies} --clusters {output.clusters} --links {output.links} "
        "--review-pairs {output.review} --issues {output.issues} > {log} 2>&1"
