# Synthesis files written by reviewers under data/decisions/synthesis/: the findings with their
# certainty judgements (checked and profiled, review.findings) and the authored narrative
# (citations and links checked, review.narrative). The pipeline writes no statement of its own.
from review.workflow import decision_file, decision_files

SYNTHESIS_DECISIONS = "data/decisions/synthesis"
FINDINGS_FILE = "data/decisions/synthesis/findings.yaml"


rule profile_findings:
    input:
        protocol=PROTOCOL_PATH,
        studies=rules.deduplicate_records.output.studies,
        screening=rules.build_screening_state.output.screening,
        groups=rules.group_reports.output.groups,
        coded=rules.extract_coding.output.coded,
        outcomes=rules.extract_coding.output.outcomes,
        appraisal=rules.merge_appraisal.output.summary,
        findings=lambda wildcards: decision_file(FINDINGS_FILE),
    output:
        findings="data/extracted/findings.csv",
    params:
        findings=FINDINGS_FILE,
    threads: 1
    resources:
        mem_mb=500,
        runtime=10,
    conda:
        "../envs/review.yaml"
    log:
        "logs/profile_findings/profile_findings.log",
    benchmark:
        "logs/profile_findings/profile_findings.benchmark.tsv"
    shell:
        "review synthesis findings --protocol {input.protocol} --studies {input.studies} "
        "--screening {input.screening} --study-groups {input.groups} --coded {input.coded} "
        "--outcomes {input.outcomes} --appraisal-summary {input.appraisal} "
        "--findings {params.findings} --out {output.findings} > {log} 2>&1"


rule check_narrative:
    input:
        protocol=PROTOCOL_PATH,
        studies=rules.deduplicate_records.output.studies,
        screening=rules.build_screening_state.output.screening,
        groups=rules.group_reports.output.groups,
        narrative=lambda wildcards: decision_files(SYNTHESIS_DECISIONS, suffixes=(".md",)),
    output:
        citations="data/interim/narrative_citations.csv",
    params:
        narrative=SYNTHESIS_DECISIONS,
    threads: 1
    resources:
        mem_mb=500,
        runtime=10,
    conda:
        "../envs/review.yaml"
    log:
        "logs/check_narrative/check_narrative.log",
    benchmark:
        "logs/check_narrative/check_narrative.benchmark.tsv"
    shell:
        "review synthesis check --protocol {input.protocol} --studies {input.studies} "
        "--screening {input.screening} --study-groups {input.groups} "
        "--narrative {params.narrative} --citations {output.citations} > {log} 2>&1"
