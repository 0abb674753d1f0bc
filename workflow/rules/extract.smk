# Extraction: the coding sheet for the included studies (generated from the protocol's coding
# fields, with keyword suggestions and their evidence) and the coders' validated values merged
# into coded.csv (review.extraction). Every coder's file in data/decisions/coding/ is an input,
# so a new or edited file reruns the rule; a file with a bad row stops it, naming the row.
from review.workflow import decision_files

CODING_DECISIONS = "data/decisions/coding"


rule build_coding_sheet:
    input:
        protocol=PROTOCOL_PATH,
        studies="data/interim/studies.csv",
        screening="data/interim/screening.csv",
        decisions=lambda wildcards: decision_files(CODING_DECISIONS),
    output:
        sheet_csv="data/extracted/coding_sheet.csv",
        sheet_xlsx="data/extracted/coding_sheet.xlsx",
        coded="data/extracted/coded.csv",
        disagreements="data/extracted/coding_disagreements.csv",
        agreement="data/extracted/coding_agreement.csv",
        events="data/extracted/coding_events.csv",
    params:
        coding_dir=CODING_DECISIONS,
        outdir=subpath(output.coded, parent=True),
    conda:
        "../envs/review.yaml"
    log:
        "logs/build_coding_sheet/build_coding_sheet.log",
    shell:
        "review extract --protocol {input.protocol} --studies {input.studies} "
        "--screening {input.screening} --coding-dir {params.coding_dir} "
        "-o {params.outdir} > {log} 2>&1"
