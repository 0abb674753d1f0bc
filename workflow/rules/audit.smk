# Audit: the audit view of every screening decision (reports/audit.html, the index the review
# links to, and reports/audit/: data chunks, one page per study and per reviewer), built from
# the same stage outputs as the report, the verification ledgers people fill
# (data/decisions/verification/<stage>/<checker>.csv, from `review audit sample` sheets) and
# the published versions (its "changed since" filter).
from review.workflow import decision_files

VERIFICATION_DECISIONS = "data/decisions/verification"


rule render_audit:
    input:
        protocol=PROTOCOL_PATH,
        records=rules.normalise_records.output.records,
        studies=rules.deduplicate_records.output.studies,
        clusters=rules.deduplicate_records.output.clusters,
        dedup_links=rules.deduplicate_records.output.links,
        screening=rules.build_screening_state.output.screening,
        screening_events=rules.build_screening_state.output.events,
        screening_conflicts=rules.build_screening_state.output.conflicts,
        screening_unmatched=rules.build_screening_state.output.unmatched,
        screening_agreement=rules.build_screening_state.output.agreement,
        screening_set_aside=rules.build_screening_state.output.set_aside,
        fulltext=rules.build_fulltext_status.output.table,
        coded=rules.extract_coding.output.coded,
        coding_events=rules.extract_coding.output.events,
        coding_agreement=rules.extract_coding.output.agreement,
        search_log=rules.write_search_log.output.log,
        verification=lambda wildcards: decision_files(VERIFICATION_DECISIONS, suffixes=(".csv",)),
        versions=VERSION_FILES,
    output:
        index="reports/audit.html",
        folder=directory("reports/audit"),
    params:
        verification=VERIFICATION_DECISIONS,
        versions=lambda wildcards: VERSIONS,
    threads: 1
    resources:
        mem_mb=4000,
        runtime=60,
    conda:
        "../envs/review.yaml"
    log:
        "logs/render_audit/render_audit.log",
    benchmark:
        "logs/render_audit/render_audit.benchmark.tsv"
    shell:
        "review audit pages --protocol {input.protocol} --records {input.records} "
        "--studies {input.studies} --clusters {input.clusters} "
        "--dedup-links {input.dedup_links} --screening {input.screening} "
        "--screening-events {input.screening_events} "
        "--screening-conflicts {input.screening_conflicts} "
        "--screening-unmatched {input.screening_unmatched} "
        "--screening-agreement {input.screening_agreement} "
        "--screening-set-aside {input.screening_set_aside} --fulltext {input.fulltext} "
        "--coded {input.coded} "
        "--coding-events {input.coding_events} --coding-agreement {input.coding_agreement} "
        "--search-log {input.search_log} --verification {params.verification} "
        "--versions {params.versions} --only-given "
        "--index {output.index} --folder {output.folder} > {log} 2>&1"
