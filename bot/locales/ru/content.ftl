## Content: архив темы с материалами и /content

cmd-content = поиск по архиву материалов сообщества
flow-ContentSearch = поиск по материалам

content-ask = Что вы ищете? Отправьте слова, которые есть в сообщении.
content-found = По запросу «{ $query }» найдено: { $total }. Отправьте другие слова для нового поиска.
content-none = По запросу «{ $query }» ничего не нашлось. Отправьте другие слова или начните заново.
content-line = { $n }. <a href="{ $url }">{ $text }</a> — { $author }
content-line-nolink = { $n }. { $text } — { $author }
content-matched = ↳ совпало: { $words }
content-refine-ask = Сейчас ищем: «{ $query }». Отправьте ещё слова: первыми будут сообщения, где их больше всего.
content-btn-refine = 🔎 Уточнить
content-btn-start-over = ↩ Начать заново
