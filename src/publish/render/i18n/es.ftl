# feedbraid's interface text, Spanish.
skip = Ir a las entradas
nav-label = Páginas
nav-all = Todas las entradas
nav-months = Por mes
nav-tags = Temas
nav-partners = Organizaciones aliadas
subscribe = Suscribirse
subscribe-help = Un lector de feeds (como Feedly, NetNewsWire, Thunderbird o Miniflux) te muestra las novedades de los sitios que sigues, sin visitarlos. Pega esta dirección en el tuyo:
atom-of = Feed Atom de { $title }
json-of = JSON Feed de { $title }
rss-of = Feed RSS de { $title }
opml = Los feeds propios de las organizaciones aliadas (OPML), para seguirlas directamente
digest = Resumen mensual por correo, y su archivo
latest = Últimas entradas
updated = Actualizado el { $date }
from = De
source = Fuente:
licence-for = Licencia de «{ $title }»
download = Descargar { $file }
tags = Temas
no-entries = Todavía no hay entradas.
embeds = Muestra estos feeds en tu sitio
embeds-help = Pega uno de estos códigos en una página de tu sitio. La lista se actualiza sola, no ejecuta scripts y no carga nada de terceros.
published-by = Publicado por { $network } con feedbraid.
older = Entradas anteriores, por mes
entries = { $count ->
    [one] 1 entrada
   *[other] { $count } entradas
}
months-title = Todas las entradas, por mes
months-intro = Cada entrada publicada aquí, mes a mes.
month-title = Entradas de { $month }
prev-month = Mes anterior
next-month = Mes siguiente
tags-title = Todos los temas
tag-title = Tema: { $tag }
tag-follow = Sigue este tema en un lector de feeds:
partners-title = Organizaciones aliadas
partner-follow = El feed propio de la organización:
partner-site = Sitio web
partner-rights = Derechos
year = { $year }
date = { $day } de { $month } de { $year }
month-year = { $month } de { $year }
pages = { $count ->
    [one] 1 página
   *[other] { $count } páginas
}
bytes = { $count } bytes
kb = { $count } KB
mb = { $count } MB
gb = { $count } GB
file = Archivo
embed-more = Todas las entradas en { $network }
pages-label = Más páginas de esta lista
page-newest = Las más recientes
page-n = Página { $n }
month-1 = enero
month-2 = febrero
month-3 = marzo
month-4 = abril
month-5 = mayo
month-6 = junio
month-7 = julio
month-8 = agosto
month-9 = septiembre
month-10 = octubre
month-11 = noviembre
month-12 = diciembre
