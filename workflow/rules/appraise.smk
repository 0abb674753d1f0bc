# Appraisal: every appraiser's answers (data/decisions/appraisal/<appraiser>.csv, checked
# against the protocol's tool) re-attached to included main studies and merged under the
# protocol's disagreement rule (review.appraisal). Every file of the folder is an input, so a
# new or changed file reruns the rule; a bad row stops it, naming the file and row.
from review.workflow import decision_files

APPRAISAL_DECISIONS = "data/decisions/appraisal"


rule merge_appraisal:
    input:
        protocol=PROTOCOL_PATH,
        studies=rules.deduplicate_records.output.studies,
        clusters=rules.deduplicate_records.output.clusters,
        screening=rules.build_screening_state.output.screening,
        groups=rules.group_reports.output.groups,
        coded=rules.extract_coding.output.coded,
        decisions=lambda wildcards: decision_files(APPRAISAL_DECISIONS, suffixes=(".csv",)),
    output:
        appraisal="data/extracted/appraisal.csv",
        summary="data/extracted/appraisal_summary.csv",
        disagreements="data/extracted/appraisal_disagreements.csv",
        agreement="data/extracted/appraisal_agreement.csv",
        unmatched="data/extracted/appraisal_unmatched.csv",
    params:
        decisions=APPRAISAL_DECISIONS,
    threads: 1
    resources:
        mem_mb=500,
        runtime=10,
    conda:
        "../envs/review.yaml"
    log:
        "logs/merge_appraisal/merge_appraisal.log",
    benchmark:
        "logs/merge_appraisal/merge_appraisal.benchmark.tsv"
    shell:
        "review appraise state --protocol {input.protocol} --studies {input.studies} "
        "--clusters {input.clusters} --screening {input.screening} "
        "--study-groups {input.groups} --coded {input.coded} --decisions {params.decisions} "
        "--appraisal {output.appraisal} --summary {output.summary} "
        "--disagreements {output.disagreements} --agreement {output.agreement} "
        "--unmatched {output.unmatched} > {log} 2>&1"


# An appraiser's sheet, on request: snakemake data/appraisal_sheets/NAME.xlsx
# The sheet is an update() output: Snakemake does not delete a sheet the appraiser filled before
# the rule runs, and the command refuses to overwrite one holding answers not yet imported.
rule build_appraisal_sheet:
    input:
        protocol=PROTOCOL_PATH,
        studies=rules.deduplicate_records.output.studies,
        clusters=rules.deduplicate_records.output.clusters,
        screening=rules.build_screening_state.output.screening,
        groups=rules.group_reports.output.groups,
        coded=rules.extract_coding.output.coded,
        decisions=lambda wildcards: decision_files(APPRAISAL_DECISIONS, suffixes=(".csv",)),
    output:
        csv=update("data/appraisal_sheets/{appraiser}.csv"),
        xlsx=update("data/appraisal_sheets/{appraiser}.xlsx"),
    wildcard_constraints:
        appraiser="[A-Za-z0-9][A-Za-z0-9_.-]*",
    params:
        decisions=APPRAISAL_DECISIONS,
    threads: 1
    resources:
        mem_mb=500,
        runtime=10,
    conda:
        "../envs/review.yaml"
    log:
        "logs/build_appraisal_sheet/{appraiser}.log",
    benchmark:
        "logs/build_appraisal_sheet/{appraiser}.benchmark.tsv"
    shell:
        "review appraise sheet --appraiser {wildcards.appraiser} --protocol {input.protocol} "
        "--studies {input.studies} --clusters {input.clusters} --screening {input.screening} "
        "--study-groups {input.groups} --coded {input.coded} --decisions {params.decisions} "
        "--csv {output.csv} --xlsx {output.xlsx} > {log} 2>&1"
