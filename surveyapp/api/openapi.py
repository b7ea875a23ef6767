"""The OpenAPI 3 document of /api/v1 (served at /api/v1/openapi.json)."""

import analysis

from .. import __version__

NUM = {"type": ["number", "null"]}


_EVALUATION = {
    "type": "object",
    "required": ["key", "title", "points", "weight", "grade"],
    "properties": {
        "key": {"type": "string"},
        "title": {"type": "string"},
        "points": {"type": ["number", "null"]},
        "weight": {"type": "number"},
        "grade": {"type": ["string", "null"]},
    },
}


def _ref(name):
    return {"$ref": f"#/components/schemas/{name}"}


def _errors(*codes):
    text = {401: "Missing or invalid token", 403: "Role too low", 404: "No such survey"}
    return {
        str(c): {"description": text[c], "content": {"application/json": {"schema": _ref("Error")}}}
        for c in codes
    }


def _ok(schema, description):
    return {
        "200": {"description": description, "content": {"application/json": {"schema": schema}}}
    }


KEY = {
    "name": "key",
    "in": "path",
    "required": True,
    "schema": {"type": "string"},
    "description": "Survey key, e.g. nanyang-dcm",
}

SCHEMAS = {
    "Error": {
        "type": "object",
        "required": ["error", "status"],
        "properties": {"error": {"type": "string"}, "status": {"type": "integer"}},
    },
    "Survey": {
        "type": "object",
        "required": ["key", "status", "valid_responses"],
        "properties": {
            "key": {"type": "string"},
            "status": {"type": "string", "enum": ["draft", "open", "closed"]},
            "title": {"type": ["string", "null"]},
            "title_en": {"type": ["string", "null"]},
            "version": {"type": ["integer", "null"]},
            "valid_responses": {"type": "integer"},
        },
    },
    "Estimate": {
        "type": "object",
        "required": ["question", "statistic", "codes", "estimate", "ci", "n"],
        "properties": {
            "question": {"type": "string"},
            "statistic": {
                "type": "string",
                "enum": [
                    "dist",
                    "share",
                    "top2",
                    "score",
                    "index",
                    "mean",
                    "nps",
                    "median",
                    "q1",
                    "q3",
                ],
            },
            "codes": {"type": "array", "items": {"type": "integer"}},
            "domain": {"type": ["object", "null"], "additionalProperties": {"type": "string"}},
            "estimate": NUM,
            "se": NUM,
            "ci": {"type": "array", "items": NUM, "minItems": 2, "maxItems": 2},
            "method": {"type": "string"},
            "level": {"type": "number"},
            "n": {"type": "integer"},
            "n_eff": NUM,
            "deff": NUM,
            "flags": {
                "type": "array",
                "description": "Why the figure falls short of the NCHS data presentation "
                "standards (empty: fit to cite)",
                "items": {"type": "string", "enum": list(analysis.RELIABILITY_FLAGS)},
            },
            "reliable": {"type": "boolean"},
        },
    },
    "Indicator": {
        "type": "object",
        "required": ["id", "name", "max_points", "points"],
        "properties": {
            "id": {"type": "string"},
            "name": {"type": "object"},
            "max_points": {"type": "number"},
            "estimate": NUM,
            "ci": {"type": "array", "items": NUM},
            "points": NUM,
            "points_low": NUM,
            "points_high": NUM,
            "settled": {"type": "boolean"},
            "flags": {"type": "array", "items": {"type": "string"}},
        },
    },
    "Results": {
        "type": "object",
        "required": ["survey", "settings", "estimates", "indicators"],
        "properties": {
            "survey": {"type": "object"},
            "settings": {"type": "object"},
            "estimates": {"type": "array", "items": _ref("Estimate")},
            "indicators": {"type": "array", "items": _ref("Indicator")},
            "weighting": {"type": ["object", "null"]},
            "differences": {"type": "object"},
            "fieldwork": {"type": "object"},
            "provenance": {"type": "object"},
            "n": {"type": "integer"},
        },
    },
}


def document():
    """The OpenAPI 3.1 description as a dict."""
    secured = [{"bearer": []}]
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Survey results API",
            "version": __version__,
            "description": "Read-only access to surveys, design-based results and indicator "
            "points. Create a token with `flask --app surveyapp users token NAME`.",
        },
        "servers": [{"url": "/api/v1"}],
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "schemas": SCHEMAS,
        },
        "security": secured,
        "paths": {
            "/surveys": {
                "get": {
                    "summary": "List surveys",
                    "operationId": "listSurveys",
                    "responses": {
                        **_ok(
                            {
                                "type": "object",
                                "required": ["surveys"],
                                "properties": {
                                    "surveys": {"type": "array", "items": _ref("Survey")}
                                },
                            },
                            "Surveys",
                        ),
                        **_errors(401, 403),
                    },
                }
            },
            "/surveys/{key}": {
                "get": {
                    "summary": "One survey",
                    "operationId": "getSurvey",
                    "parameters": [KEY],
                    "responses": {**_ok(_ref("Survey"), "The survey"), **_errors(401, 403, 404)},
                }
            },
            "/surveys/{key}/results": {
                "get": {
                    "summary": "Results (as `flask survey analyze KEY --json`)",
                    "operationId": "getResults",
                    "parameters": [KEY],
                    "responses": {**_ok(_ref("Results"), "Results"), **_errors(401, 403, 404)},
                }
            },
            "/surveys/{key}/indicators": {
                "get": {
                    "summary": "Indicator points and the evaluations that use the survey",
                    "operationId": "getIndicators",
                    "parameters": [KEY],
                    "responses": {
                        **_ok(
                            {
                                "type": "object",
                                "required": ["indicators", "evaluations"],
                                "properties": {
                                    "survey": {"type": "string"},
                                    "indicators": {"type": "array", "items": _ref("Indicator")},
                                    "evaluations": {"type": "array", "items": _EVALUATION},
                                    "provenance": {"type": "object"},
                                },
                            },
                            "Indicator points",
                        ),
                        **_errors(401, 403, 404),
                    },
                }
            },
        },
    }
