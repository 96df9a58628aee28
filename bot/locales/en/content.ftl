## Content: the archive of the content topic and /content

cmd-content = search the community's content archive
flow-ContentSearch = the content search

content-ask = What are you looking for? Send words that occur in the message.
content-found = Found { $total } for “{ $query }”. Send other words for a new search.
content-none = Nothing found for “{ $query }”. Send other words, or start over.
content-line = { $n }. <a href="{ $url }">{ $text }</a> — { $author }
content-line-nolink = { $n }. { $text } — { $author }
content-matched = ↳ matched: { $words }
content-refine-ask = Current search: “{ $query }”. Send more words: the messages with most of them come first.
content-btn-refine = 🔎 Refine
content-btn-start-over = ↩ Start over
