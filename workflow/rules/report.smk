rule render_report:
    input:
        protocol=PROTOCOL_PATH,
        records=rules.normalise_records.output.records,
    output:
        html="reports/review.html",
    conda:
        "../envs/review.yaml"
    log:
        "logs/render_report/render_report.log",
    script:
        "../scripts/render_basic_report.py"
