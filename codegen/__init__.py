"""The generator of talon_one's API surface (standard library only).

    python -m codegen            regenerate talon_one/models/, talon_one/api/, talon_one/aio/integration_api.py and docs/
    python -m codegen --check    exit 1, listing the files that differ from a fresh generation

The input is spec/integration-api.json. `spec` reads it into plain objects
(failing loudly on anything it would mistranslate), and `render_models`,
`render_api` and `render_docs` turn those into files; `render_model_code`
writes out each model's constructor, validator, decoder and encoder, field by
field. Output is deterministic: the same spec always gives byte-identical files.
"""
