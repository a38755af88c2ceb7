import asyncio
from server.models import AuthToken, LoginThrottle, Role, User
from server.schema.relay import encode_id
from tests.conftest import GraphQLClient, sign_in, PASSWORD
from tests.server.network import build_network
from server.domain.access import Viewer
from server.domain.accounts import create_user

LOGIN = """mutation ($u: String!, $p: String!) { login(input: {username: $u, password: $p}) { token user { username role shelters { name } } errors { code field message } } }"""

async def test_probe(gql: GraphQLClient) -> None:
    net = await build_network()
    await create_user(Viewer.operator("t"), "medic", "V", Role.MEDICAL, PASSWORD, [s.id for s in net.shelters])
    admin = await create_user(Viewer.operator("t"), "boss", "Big Boss", Role.ADMIN, PASSWORD)
    anon = gql.as_token(None)
    r = await anon.post(LOGIN, {"u": "medic", "p": PASSWORD})
    print("LOGIN", r)
    me = gql.as_token(r["data"]["login"]["token"])
    print("VIEWER", await me.post("{ viewer { username role shelters { name } } }"))
    print("NODE", await me.post('query ($id: ID!) { node(id: $id) { ... on User { username fullName role active } } }', {"id": encode_id("User", admin.id)}))
    print("USERS", await me.post('{ users { totalCount } }'))
