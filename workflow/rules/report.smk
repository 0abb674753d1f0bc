# Report: the PRISMA 2020 diagram (+ the PRISMA2020 R package's CSV), then the review pages and
# the audit trail. Both read the stage outputs that exist or that some rule of the workflow makes,
# so a stage that is not in the workflow yet is shown in the report as "not run yet".
from review.report.inputs import workflow_inputs


rule render_prisma:
    input:
        unpack(lambda wildcards: workflow_inputs(workflow, PROTOCOL_PATH, PROTOCOL)),
    output:
        svg="reports/prisma.svg",
        csv="reports/prisma.csv",
    conda:
        "../envs/review.yaml"
    log:
        "logs/render_prisma/render_prisma.log",
    shell:
        "review report --protocol {input.protocol} --only prisma > {log} 2>&1"


rule render_report:
    input:
        unpack(lambda wildcards: workflow_inputs(workflow, PROTOCOL_PATH, PROTOCOL)),
        prisma=rules.render_prisma.output.svg,
    output:
        html="reports/review.html",
        markdown="reports/review.md",
        audit="reports/audit.html",
        search_log="reports/search_log.csv",
        by_year="reports/figures/studies_by_year.svg",
        by_theme="reports/figures/studies_by_theme.svg",
        by_region="reports/figures/studies_by_region.svg",
    conda:
        "../envs/review.yaml"
    log:
        "logs/render_report/render_report.log",
    shell:
        "review report --protocol {input.protocol} --only pages > {log} 2>&1"
