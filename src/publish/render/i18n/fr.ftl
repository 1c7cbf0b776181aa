# feedbraid's interface text, French.
skip = Aller aux entrées
nav-label = Pages
nav-all = Toutes les entrées
nav-months = Par mois
nav-tags = Thèmes
nav-partners = Partenaires
subscribe = S’abonner
subscribe-help = Un lecteur de flux (comme Feedly, NetNewsWire, Thunderbird ou Miniflux) vous montre les nouveautés des sites que vous suivez, sans les visiter. Collez cette adresse dans le vôtre :
atom-of = Flux Atom de { $title }
json-of = JSON Feed de { $title }
rss-of = Flux RSS de { $title }
opml = Les flux des partenaires (OPML), pour les suivre directement
digest = Résumé mensuel par courriel, et ses archives
latest = Dernières entrées
updated = Mis à jour le { $date }
from = De
source = Source :
licence-for = Licence de « { $title } »
download = Télécharger { $file }
tags = Thèmes
no-entries = Aucune entrée pour l’instant.
embeds = Afficher ces flux sur votre site
embeds-help = Collez l’un de ces codes dans une page de votre site. La liste se met à jour d’elle-même, n’exécute aucun script et ne charge rien d’ailleurs.
published-by = Publié par { $network } avec feedbraid.
older = Entrées plus anciennes, par mois
entries = { $count ->
    [one] 1 entrée
   *[other] { $count } entrées
}
months-title = Toutes les entrées, par mois
months-intro = Chaque entrée publiée ici, mois par mois.
month-title = Entrées de { $month }
prev-month = Mois précédent
next-month = Mois suivant
tags-title = Tous les thèmes
tag-title = Thème : { $tag }
tag-follow = Suivre ce thème dans un lecteur de flux :
partners-title = Partenaires
partner-follow = Le flux du partenaire :
partner-site = Site web
partner-rights = Droits
year = { $year }
date = { $day } { $month } { $year }
month-year = { $month } { $year }
pages = { $count ->
    [one] 1 page
   *[other] { $count } pages
}
bytes = { $count } octets
kb = { $count } Ko
mb = { $count } Mo
gb = { $count } Go
file = Fichier
embed-more = Toutes les entrées sur { $network }
pages-label = Autres pages de cette liste
page-newest = Les plus récentes
page-n = Page { $n }
month-1 = janvier
month-2 = février
month-3 = mars
month-4 = avril
month-5 = mai
month-6 = juin
month-7 = juillet
month-8 = août
month-9 = septembre
month-10 = octobre
month-11 = novembre
month-12 = décembre
