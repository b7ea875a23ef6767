"""The results pages speak the console's language: the score table's fixed names and the
consistency check's text are translated; nothing but content stays Chinese in English."""

import re

HAN = re.compile(r"[\u4e00-\u9fff]")
BASE = "/console/surveys/nanyang-dcm/results"


def headings(page):
    """Text of every heading, table header cell, label and list item of a page."""
    found = re.findall(r"<(h[1-4]|th|label|li)\b[^>]*>(.*?)</\1>", page, flags=re.S)
    return [re.sub(r"<[^>]+>", "", text).strip() for _tag, text in found]


def test_english_score_tables_have_no_chinese_headings(as_role):
    client = as_role("evaluator")
    page = client.get(f"{BASE}?lang=en").get_data(as_text=True)
    assert "<h2>Performance evaluation score table</h2>" in page
    manual = client.get(f"{BASE}/score-table?lang=en").get_data(as_text=True)
    assert [h for h in headings(manual) if HAN.search(h)] == []
    assert "Project decision-making" in manual
    example = client.get(f"{BASE}/example-score-table?lang=en").get_data(as_text=True)
    problems = re.search(r'id="consistency-problems">(.*?)</div>', example, flags=re.S).group(1)
    items = [re.sub(r"<[^>]+>", "", li) for li in re.findall(r"<li[^>]*>(.*?)</li>", problems)]
    assert items and all(not HAN.search(item) for item in items)
    assert any(item.startswith("Project outputs · score rate: stated") for item in items)


def test_chinese_consistency_check_is_chinese(as_role):
    client = as_role("evaluator")
    example = client.get(f"{BASE}/example-score-table?lang=zh").get_data(as_text=True)
    problems = re.search(r'id="consistency-problems">(.*?)</div>', example, flags=re.S).group(1)
    assert "项目产出 · 得分率" in problems
    assert not re.search(r"· (rate|score|weight|grade):", problems)
