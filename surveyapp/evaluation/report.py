def write_report(evaluation, fmt, path):
    raise NotImplementedError
