# Studies and their reports: reviewers link several reports (studies.csv rows) to one study in
# data/decisions/report_links.csv; the links are checked and every report gets the main id of
# its study (review.studygroups). Coding, appraisal and synthesis count main study ids.
from review.workflow import decision_file

REPORT_LINKS = "data/decisions/report_links.csv"


rule group_reports:
    input:
        studies=rules.deduplicate_records.output.studies,
        clusters=rules.deduplicate_records.output.clusters,
        screening=rules.build_screening_state.output.screening,
        links=lambda wildcards: decision_file(REPORT_LINKS),
    output:
        groups="data/interim/study_groups.csv",
    params:
        links=REPORT_LINKS,
    threads: 1
    resources:
        mem_mb=500,
        runtime=10,
    conda:
        "../envs/review.yaml"
    log:
        "logs/group_reports/group_reports.log",
    benchmark:
        "logs/group_reports/group_reports.benchmark.tsv"
    shell:
        "review groups --studies {input.studies} --clusters {input.clusters} "
        "--screening {input.screening} --links {params.links} --groups {output.groups} "
        "> {log} 2>&1"
