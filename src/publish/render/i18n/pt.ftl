# feedbraid's interface text, Portuguese.
skip = Ir para as entradas
nav-label = Páginas
nav-all = Todas as entradas
nav-months = Por mês
nav-tags = Temas
nav-partners = Parceiros
subscribe = Assinar
subscribe-help = Um leitor de feeds (como Feedly, NetNewsWire, Thunderbird ou Miniflux) mostra as novidades dos sites que você segue, sem visitá-los. Cole este endereço no seu:
atom-of = Feed Atom de { $title }
json-of = JSON Feed de { $title }
rss-of = Feed RSS de { $title }
opml = Os feeds dos próprios parceiros (OPML), para segui-los diretamente
digest = Resumo mensal por e-mail, e o seu arquivo
latest = Entradas mais recentes
updated = Atualizado em { $date }
from = De
source = Fonte:
licence-for = Licença de “{ $title }”
download = Baixar { $file }
tags = Temas
no-entries = Ainda não há entradas.
embeds = Mostre estes feeds no seu site
embeds-help = Cole um destes códigos numa página do seu site. A lista se atualiza sozinha, não executa scripts e não carrega nada de terceiros.
published-by = Publicado por { $network } com feedbraid.
older = Entradas anteriores, por mês
entries = { $count ->
    [one] 1 entrada
   *[other] { $count } entradas
}
months-title = Todas as entradas, por mês
months-intro = Cada entrada publicada aqui, mês a mês.
month-title = Entradas de { $month }
prev-month = Mês anterior
next-month = Mês seguinte
tags-title = Todos os temas
tag-title = Tema: { $tag }
tag-follow = Siga este tema num leitor de feeds:
partners-title = Parceiros
partner-follow = O feed do próprio parceiro:
partner-site = Site
partner-rights = Direitos
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
file = Arquivo
embed-more = Todas as entradas em { $network }
pages-label = Mais páginas desta lista
page-newest = As mais recentes
page-n = Página { $n }
month-1 = janeiro
month-2 = fevereiro
month-3 = março
month-4 = abril
month-5 = maio
month-6 = junho
month-7 = julho
month-8 = agosto
month-9 = setembro
month-10 = outubro
month-11 = novembro
month-12 = dezembro
