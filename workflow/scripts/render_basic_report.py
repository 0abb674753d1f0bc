from pathlib import Path

from review.protocol import load_protocol
from review.report_basic import render

render(
    load_protocol(snakemake.input.protocol),
    Path(snakemake.input.records),
    Path(snakemake.output.html),
)
