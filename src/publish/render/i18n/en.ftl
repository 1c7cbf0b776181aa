# feedbraid's interface text, English (the reference catalogue: every other language falls back
# to it message by message).
skip = Skip to the entries
nav-label = Pages
nav-all = All entries
nav-months = By month
nav-tags = Topics
nav-partners = Partners
subscribe = Subscribe
subscribe-help = A feed reader (such as Feedly, NetNewsWire, Thunderbird or Miniflux) shows you new items from the sites you follow, without visiting them. Paste this address into yours:
atom-of = Atom feed of { $title }
json-of = JSON Feed of { $title }
rss-of = RSS feed of { $title }
opml = The partners' own feeds (OPML), to follow them directly
digest = Monthly digest by e-mail, and its archive
latest = Latest entries
updated = Updated { $date }
from = From
source = Source:
licence-for = Licence for “{ $title }”
download = Download { $file }
tags = Topics
no-entries = No entries yet.
embeds = Show these feeds on your site
embeds-help = Paste one of these into a page of your site. The list updates itself, runs no script and loads nothing from anyone else.
published-by = Published by { $network } with feedbraid.
older = Older entries, by month
entries = { $count ->
    [one] 1 entry
   *[other] { $count } entries
}
months-title = All entries, by month
months-intro = Every entry ever published here, month by month.
month-title = Entries of { $month }
prev-month = Previous month
next-month = Next month
tags-title = All topics
tag-title = Topic: { $tag }
tag-follow = Follow this topic in a feed reader:
partners-title = Partners
partner-follow = The partner's own feed:
partner-site = Website
partner-rights = Rights
year = { $year }
date = { $day } { $month } { $year }
month-year = { $month } { $year }
pages = { $count ->
    [one] 1 page
   *[other] { $count } pages
}
bytes = { $count } bytes
kb = { $count } KB
mb = { $count } MB
gb = { $count } GB
file = File
embed-more = All entries on { $network }
pages-label = More pages of this list
page-newest = Newest
page-n = Page { $n }
month-1 = January
month-2 = February
month-3 = March
month-4 = April
month-5 = May
month-6 = June
month-7 = July
month-8 = August
month-9 = September
month-10 = October
month-11 = November
month-12 = December
